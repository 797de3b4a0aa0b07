"""Services: where storage meets the pure core. The CLI, the API and the pages call these."""
