//go:build !race

package main

// slowdown is how much slower the race detector makes this code: time
// bounds in end-to-end tests are multiplied by it.
const slowdown = 1
