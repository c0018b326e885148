"""The training service. The lead geese (community secretaries), the reserve pool of two per community, mentors, salons, lectures, workshops, and the Social Worker Cup."""
