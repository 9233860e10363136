"""The `sbk` command line."""
