"""Reads for courses, one module per part: the catalogue (filters, facets, search), learning
(the module and lesson pages, 'Mijn leren', citations, review) and personal data. Import
from the modules."""
