"""The AWS Lambda entry point (the function's handler setting names `handler`)."""

from serverless_flask_kit.handler import DEPLOYED_CONFIG, lambda_handler_for

from .app import create_app

app = create_app(DEPLOYED_CONFIG)
handler = lambda_handler_for(app)
