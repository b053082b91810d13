from zwxx.cli import main

main()
