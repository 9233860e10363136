"""Code that runs inside the Rasa environment (.venv-rasa): custom NLU components and the model host.

Nothing here may import `bot`: the two environments share no packages (Rasa 3.6 pins pydantic 1 and
SQLAlchemy 1.4), they talk over pipes and HTTP only.
"""
