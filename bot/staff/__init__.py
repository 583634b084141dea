"""Staff tools: the command line for checking knowledge and translations and reading feedback."""
