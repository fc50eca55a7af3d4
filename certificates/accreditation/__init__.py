"""Accreditation points that reach the registers: learners' registration numbers (given
with consent, withdrawable), attendance recorded on completion per register, and its
delivery: a file per register and period, or PE-online's attendance web service.

numbers.py: the learner's numbers; attendance.py: what is recorded and read;
pe_online.py: PE-online's attendance XML and its web-service client."""
