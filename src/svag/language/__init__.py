"""Query understanding: free text -> a structured action query (category, attributes, predicates)."""
