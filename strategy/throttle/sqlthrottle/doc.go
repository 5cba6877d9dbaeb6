// Package sqlthrottle is a [throttle.Throttler] that keeps its counts in a
// SQL table (SQLite or PostgreSQL through database/sql).
package sqlthrottle
