"""Report renderers: one module per output format, registered through the renderer hook."""
