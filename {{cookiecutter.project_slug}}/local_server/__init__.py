"""`make local`: the site on 127.0.0.1, served the way it runs when deployed."""
