"""Python frames: code objects, line numbers and frame walking."""
