"""`zwxx review`: the clerk's decisions on items the system does not guess."""
