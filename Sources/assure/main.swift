import AssureApp

/// Boots Assure: parse the command line and run the command (`serve` by default).
await AssureCommandLine.start()
