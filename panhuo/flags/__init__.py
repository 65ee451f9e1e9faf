"""Red flags: named rules over the records (price, process, people, splitting, value), each with
its threshold per jurisdiction, its evidence and links to the records behind it; computed as
records change and in full on demand (`panhuo flags recompute`)."""
