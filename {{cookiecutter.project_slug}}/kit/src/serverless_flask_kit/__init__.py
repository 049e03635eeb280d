"""The machinery under a Flask site on AWS Lambda, API Gateway and CloudFront.

Nothing is imported here, so each part costs only what it uses (the Lambda cold start
loads only the runtime modules its handler needs).
"""
