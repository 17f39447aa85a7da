"""Test doubles for the model boundary: a scripted fake, a function fake and a fake
OpenAI-compatible HTTP server on 127.0.0.1. Shipped in the package so evals and
downstream users can test without a network."""
