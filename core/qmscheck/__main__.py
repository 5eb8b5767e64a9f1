from qmscheck.cli import main

main()
