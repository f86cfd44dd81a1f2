"""``portal``: the portal's command-line client. It talks to the portal's HTTP API (``/api/v1/``) with a
personal access token and imports nothing of the server (no Django): it runs on a laptop."""
