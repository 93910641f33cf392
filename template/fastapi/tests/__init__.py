"""The service's tests, against real servers."""
