"""The platform's serving layer, whatever WSGI app it serves (APP_MODULE): nginx in front, gunicorn
behind it, the probes, the drain on SIGTERM, JSON logs and Prometheus metrics. serve.py is its entry
point; wsgi.py wraps the app."""
