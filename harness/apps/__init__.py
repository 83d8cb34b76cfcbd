"""Apps the harness ships with: one folder each, holding its profile (app.yaml) and, when it needs one, its
plugin. ``harness apps`` lists them beside the user's own."""
