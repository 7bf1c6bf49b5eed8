package sandpit

// CheckJSONStrings is CheckJSONText without its shortcut for plain bodies,
// for the test that the two always agree.
var CheckJSONStrings = checkJSONStrings
