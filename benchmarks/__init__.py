"""The project's measuring tools: benchmarks, the NLU evaluation and the pipeline comparison.

Not part of the product (the wheel ships `bot` and `actions` only); run from a checkout through
`sbk bench …`, `sbk nlu evaluate|compare|bench`, or `python -m benchmarks …`.
"""
