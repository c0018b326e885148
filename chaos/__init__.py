"""The fault-injection run: the pipeline on servers of its own, under load, while its parts are killed."""
