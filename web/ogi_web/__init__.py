"""The web front end of OGI: the applicant portal (政府信息公开申请), the staff console and the
supervision bureau's desk, server-rendered in Chinese, calling the services only through their
gRPC APIs with the caller's token."""
