"""nyash-build: ahead-of-time compiler and build system for Nyash."""
__version__ = "0.1.0"
