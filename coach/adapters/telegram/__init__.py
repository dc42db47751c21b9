"""The Telegram adapter over the coach.

run.py starts it (polling.py or webhook.py) with the Application of app.py, whose
handlers turn updates into events (convert.py) and send the replies (send.py, split.py,
retry.py, pacing.py); jobs.py sends the weekly check-ins; logs.py sets up logging.
"""
