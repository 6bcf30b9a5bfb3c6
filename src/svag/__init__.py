"""svag: Spatio-temporal Video Action Grounding toolkit."""
from svag.errors import InputError, SvagError

__version__ = "0.1.0"
__all__ = ["InputError", "SvagError", "__version__"]
