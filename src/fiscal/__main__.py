from fiscal.cli import main

main()
