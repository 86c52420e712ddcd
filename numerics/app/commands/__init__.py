"""One module per ``tempx`` subcommand: ``add_arguments(parser)`` and ``run(args) -> exit status``."""
