"""Benchmarks of the product (see README: Performance); run each as a script."""
