from rosgit.cli import main

main()
