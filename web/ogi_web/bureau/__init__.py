"""The supervision bureau's desk (Art. 47, 51): new complaints and cases by state, the case file
with the application's cross-agency timeline and every case step, the overdue board by agency,
and each agency's annual report (Art. 49, 50) to view and download."""
