"""Each layer's contract, one module per layer: the outputs it declares and the names other layers
derive from it. A stack imports contracts, never another stack (`tests/layers/test_layer_imports.py`)."""
