namespace fleetset {}
