from touchpoints.cli.app import main

main()
