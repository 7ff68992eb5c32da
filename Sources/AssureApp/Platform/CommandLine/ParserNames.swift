import ArgumentParser

// Vapor re-exports ConsoleKit, which has its own `Option`, `Flag` and `Argument`. These name the
// argument parser's, so a command file can import both without spelling the module each time.
typealias CommandOption = ArgumentParser.Option
typealias CommandFlag = ArgumentParser.Flag
typealias CommandArgument = ArgumentParser.Argument
typealias CommandOptions = ArgumentParser.OptionGroup
typealias UsageError = ArgumentParser.ValidationError
