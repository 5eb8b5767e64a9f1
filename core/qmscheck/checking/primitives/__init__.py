"""The built-in check vocabulary: exists, each, fresh, covers, mentions, periodic, unique, differs."""
