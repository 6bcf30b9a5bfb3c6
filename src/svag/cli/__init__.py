"""The ``svag`` command line (thin: parsing and printing only)."""
