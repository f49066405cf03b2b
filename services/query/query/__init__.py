"""Query: the read side, SQL tables kept from the public events of every service (work queues
sorted by due date, lookup by number, Chinese full-text search, the supervision bureau's
boards), fed from the bus and rebuilt by replaying it."""
