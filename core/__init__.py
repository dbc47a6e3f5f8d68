"""The ground floor: the error hierarchy, settings, JSON and the small rules every other package shares.

It imports no other package of the product.
"""
