"""One module per verb group of the ``lantern`` command; each exposes ``register(app)``."""
