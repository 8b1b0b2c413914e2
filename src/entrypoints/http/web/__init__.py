"""Server-rendered pages: the operator's console (/console/) and the buyer's portal
(/portal/). They call the same use cases as the admin API and keep no logic of their own."""
