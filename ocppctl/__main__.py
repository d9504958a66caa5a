from ocppctl.cli.main import main

main()
