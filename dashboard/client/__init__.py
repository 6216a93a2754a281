"""Code that runs beside the user's app: the demo sender."""
