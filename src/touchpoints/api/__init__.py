"""The REST API: the command line's services over HTTP, behind bearer tokens (issue 17)."""
