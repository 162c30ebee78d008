"""forecast: will each unit reach the admission target of its term?"""

__version__ = "0.1.0"
