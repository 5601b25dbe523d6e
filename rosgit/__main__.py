from rosgit.entry import main

main()
