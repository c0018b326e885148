"""Event tools for operators and developers: `python -m ops --help`."""
