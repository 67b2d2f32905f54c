package main

import "os"

func main() {
	os.Exit(newApp(os.Stdout, os.Stderr).run(os.Args[1:]))
}
